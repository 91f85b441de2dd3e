/* SPDX-License-Identifier: MIT */
/* Names and status codes of the defect bits (see defects.h).  Content
   defects map to 5.6.0 (other or undefined media error) or 5.6.3
   (conversion required and prohibited), as Postfix maps its MIME errors;
   limits map to 5.3.4 (message too big for system). */
#include "defects.h"

struct defect_info {
	const char *name;
	const char *status;
};

static const struct defect_info defect_table[SIFT_DEFECT_COUNT] = {
    {"nul_in_header", "5.6.0"},
    {"8bit_header", "5.6.0"},
    {"header_syntax", "5.6.0"},
    {"header_limit", "5.3.4"},
    {"line_limit", "5.3.4"},
    {"long_line", "5.6.0"},
    {"bare_cr", "5.6.0"},
    {"no_boundary", "5.6.0"},
    {"missing_close_boundary", "5.6.0"},
    {"no_parts", "5.6.0"},
    {"depth_limit", "5.3.4"},
    {"parts_limit", "5.3.4"},
    {"boundary_limit", "5.6.0"},
    {"body_limit", "5.3.4"},
    {"bad_content_type", "5.6.0"},
    {"bad_transfer_encoding", "5.6.3"},
    {"bad_base64", "5.6.0"},
    {"bad_quoted_printable", "5.6.0"},
    {"bad_encoded_word", "5.6.0"},
    {"bad_parameter", "5.6.0"},
    {"unknown_charset", "5.6.0"},
    {"bad_charset_data", "5.6.0"},
    {"bad_address", "5.6.0"},
    {"bad_date", "5.6.0"},
    {"encoded_message", "5.6.3"},
    {"truncated", "5.6.0"},
};

static int
defect_index(uint32_t defect)
{
	for (int i = 0; i < SIFT_DEFECT_COUNT; i++) {
		if (defect == (1u << i))
			return i;
	}
	return -1;
}

const char *
sift_defect_name(uint32_t defect)
{
	int i = defect_index(defect);
	return i < 0 ? "unknown" : defect_table[i].name;
}

const char *
sift_defect_status(uint32_t defect)
{
	int i = defect_index(defect);
	return i < 0 ? "5.6.0" : defect_table[i].status;
}
