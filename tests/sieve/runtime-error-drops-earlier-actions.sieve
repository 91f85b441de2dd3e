require "fileinto";
fileinto "Food";
redirect "user1@example.net";
redirect "user2@example.net";
redirect "user3@example.net";
redirect "user4@example.net";
redirect "user5@example.net";
