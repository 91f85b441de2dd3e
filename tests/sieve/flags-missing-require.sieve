require "fileinto";
addflag "\\Seen";
