require ["editheader", "fileinto", "variables", "index", "relational", "comparator-i;ascii-numeric"];
/* Don't redirect if we already redirected */
if not header :contains "X-Sieve-Filtered"
        ["<kim@job.example.com>", "<kim@home.example.com>"]
{
        addheader "X-Sieve-Filtered" "<kim@job.example.com>";
        redirect "kim@home.example.com";
}
