require "fileinto";
if not header :matches "Cc" "?*" {
	fileinto "NoCc";
}
