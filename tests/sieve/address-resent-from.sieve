if address :domain :is "resent-from" "lists.example.net" {
	discard;
}
