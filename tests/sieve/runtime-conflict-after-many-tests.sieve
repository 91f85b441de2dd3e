require ["reject", "fileinto"];
if header :contains "subject" "lunch" {
	fileinto "Food";
}
if address :domain :is "from" "example.com" {
	reject "not from there";
}
