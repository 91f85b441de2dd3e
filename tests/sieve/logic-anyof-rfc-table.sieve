require "fileinto";
if anyof (false, false) { fileinto "ff"; }
if anyof (false, true) { fileinto "ft"; }
if anyof (true, true) { fileinto "tt"; }
