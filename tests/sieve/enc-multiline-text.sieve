require ["fileinto", "encoded-character", "variables"];
set "v" text:
${hex:51}uarterly report
.
;
if string :matches "${v}" "Quarterly report*" {
  fileinto "text-decoded";
}
