require ["variables", "regex", "fileinto"];
if header :matches "subject" "*" {
  set :quoteregex "q" "${1}";
  if header :regex "subject" "^${q}$" {
    fileinto "literal";
  }
}
