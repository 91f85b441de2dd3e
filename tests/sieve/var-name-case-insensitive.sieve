require ["fileinto", "variables"];
set "MyFolder" "Projects";
fileinto "${myfolder}";
