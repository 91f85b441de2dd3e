reject "no thanks";
