require "fileinto";
if allof (false, false) { fileinto "ff"; }
if allof (false, true) { fileinto "ft"; }
if allof (true, true) { fileinto "tt"; }
