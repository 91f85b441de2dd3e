require ["fileinto", "variables"];
if string :contains "${unset}" "x" {
  fileinto "wrong";
}
