require ["fileinto", "variables"];
set "who" "alice";
if address :localpart :is "From" "${who}" {
  fileinto "from-${who}";
}
