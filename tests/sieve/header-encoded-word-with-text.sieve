if header :is "subject" "Re: Café menu" {
	discard;
}
