if anyof(anyof(anyof(anyof(anyof(anyof(anyof(anyof(anyof(anyof(true)))))))))) {
	discard;
}
