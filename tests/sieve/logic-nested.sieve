require "fileinto";
if not anyof (allof (true, false), not allof (true, anyof (false, true))) {
	fileinto "Nested";
}
