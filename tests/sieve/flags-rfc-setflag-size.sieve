require ["imap4flags", "fileinto"];
if size :over 500K {
    setflag "\\Deleted";
}
