require ["fileinto", "variables"];
set "honorific"  "Mr";
set "first_name" "Wile";
set "last_name"  "Coyote";
set "vacation" text:
Dear ${HONORIFIC} ${last_name},
I'm out, please leave a message after the meep.
.
;
if string :matches "${vacation}" "Dear Mr Coyote,*meep.*" {
  fileinto "interpolated";
}
