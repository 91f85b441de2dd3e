keep;
{
	discard;
}
