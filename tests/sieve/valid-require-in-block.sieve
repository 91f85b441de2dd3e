if true {
	require "fileinto";
}
