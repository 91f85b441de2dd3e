require ["vnd.mailsift.tempfail", "variables"];
if header :matches "From" "*<*>" {
  tempfail "Sender ${2} is rate limited";
}
