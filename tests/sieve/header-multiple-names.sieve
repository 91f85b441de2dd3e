if header :contains ["x-mailer", "subject"] "lunch" {
	discard;
}
