require "ihave";
if ihave "vnd.mailsift.tempfail" {
  tempfail "checked by mailsift";
}
