require ["body", "fileinto"];

if body :content "text" :contains ["missile", "coordinates"] {
        fileinto "secrets";
}

if body :content "audio/mp3" :contains "" {
        fileinto "jukebox";
}
