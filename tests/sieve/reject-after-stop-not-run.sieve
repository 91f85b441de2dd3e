require "reject";
if header :contains "subject" "lunch" {
	keep;
	stop;
}
reject "no";
