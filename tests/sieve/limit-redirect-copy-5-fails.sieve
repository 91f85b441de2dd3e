require "copy";
redirect :copy "user1@example.net";
redirect :copy "user2@example.net";
redirect :copy "user3@example.net";
redirect :copy "user4@example.net";
redirect :copy "user5@example.net";
