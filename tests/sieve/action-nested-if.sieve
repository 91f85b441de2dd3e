require "fileinto";
if exists "subject" {
	if header :contains "subject" "lunch" {
		fileinto "Food";
	} else {
		fileinto "Other";
	}
}
