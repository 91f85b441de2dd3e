require ["fileinto", "variables"];
set :quotewildcard "q" "Quarterly*";
if header :matches "Subject" "${q}" {
  fileinto "wrong";
} else {
  fileinto "literal-star";
}
