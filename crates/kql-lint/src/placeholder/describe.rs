//! What belongs in place of a placeholder, from the words it is made of.

/// A short description of the value a placeholder stands for:
/// `IP ADDRESS` → "an IP address, such as 203.0.113.7".
pub fn wants(noun: &str) -> String {
    let key: String = noun
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<String> = noun
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let word = |w: &str| words.iter().any(|x| x == w);
    let has = |w: &str| key.contains(w);
    let known = if key.is_empty() {
        None
    } else if has("ipaddress") || word("ip") || word("ips") || has("ipv4") {
        Some("an IP address, such as 203.0.113.7")
    } else if has("ipv6") {
        Some("an IPv6 address")
    } else if has("url") || has("uri") {
        Some("a URL or domain name")
    } else if has("dns") || has("domain") || has("fqdn") {
        Some("a DNS name, such as host.example.org")
    } else if has("processname") || has("process") {
        Some("a process file name, such as powershell.exe")
    } else if has("filename") || has("file") && !has("hash") {
        Some("a file name, such as invoice.pdf.exe")
    } else if has("sha256") {
        Some("a SHA256 hash")
    } else if has("sha1") {
        Some("a SHA1 hash")
    } else if has("md5") {
        Some("an MD5 hash")
    } else if has("hash") {
        Some("a file hash (SHA1, SHA256 or MD5)")
    } else if has("computer") || has("device") || has("machine") || has("hostname") || key == "host"
    {
        Some("a device (computer) name")
    } else if has("upn") || has("userprincipal") {
        Some("a user principal name, such as user@example.org")
    } else if has("email") || has("mailbox") {
        Some("an email address")
    } else if has("user") || has("account") {
        Some("an account name")
    } else if has("tenant") {
        Some("your tenant id (a GUID)")
    } else if has("subscription") {
        Some("a subscription id (a GUID)")
    } else if has("workspace") {
        Some("your workspace name or id")
    } else if has("watchlist") {
        Some("the name of one of your watchlists")
    } else if has("version") {
        Some("a version number")
    } else {
        None
    };
    match known {
        Some(s) => s.to_owned(),
        None if noun.trim().is_empty() => "the real value".to_owned(),
        None => format!("the {}", noun.trim().to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions() {
        assert!(wants("IP ADDRESS").starts_with("an IP address"));
        assert!(wants("comma-separated IPs").starts_with("an IP address"));
        assert!(wants("FILENAME").starts_with("a file name"));
        assert!(wants("full computer name").starts_with("a device"));
        assert!(wants("SHA1 file hash").starts_with("a SHA1"));
        assert_eq!(wants("issuing CA key"), "the issuing ca key");
        assert_eq!(wants(""), "the real value");
    }
}
