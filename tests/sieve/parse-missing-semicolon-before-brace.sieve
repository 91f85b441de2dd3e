require "fileinto";
if header :contains "subject" "lunch" {
	fileinto "Lunch"
}
