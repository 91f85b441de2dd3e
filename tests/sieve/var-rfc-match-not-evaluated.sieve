require ["fileinto", "variables"];

if header :matches "Subject" "*" { set "s" "${0}"; }
if anyof (true, address :domain :matches "To" "*.org") {
    # The second test is never evaluated, so ${1} still holds the Subject
    fileinto "${1}";
}
