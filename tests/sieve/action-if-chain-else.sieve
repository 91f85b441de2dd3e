require "fileinto";
if header :contains "subject" "lunch" {
	fileinto "Food";
} elsif header :contains "subject" "build" {
	fileinto "CI";
} elsif exists "list-id" {
	fileinto "Lists";
} else {
	fileinto "Other";
}
