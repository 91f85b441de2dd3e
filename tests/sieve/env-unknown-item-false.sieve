require ["environment", "variables", "fileinto"];
if environment :contains "x-no-such-item" "" {
  fileinto "wrong";
}
