"""Every hostname the tests and the demo serve locally (they go into the test certificate)."""

HOSTNAMES = [
    "example.org", "cdn.example.org", "x.com", "www.x.com", "twitter.com", "pbs.twimg.com",
    "abs.twimg.com", "video.twimg.com", "www.facebook.com", "m.facebook.com", "scontent.xx.fbcdn.net",
    "www.instagram.com", "scontent.cdninstagram.com", "t.me", "cdn4.telesco.pe", "cdn1.telesco.pe",
    "telegram.me", "cdn4.telegram-cdn.org", "cdn1.telegram-cdn.org",
    "telegram.org", "www.whatsapp.com", "chat.whatsapp.com", "wa.me", "pps.whatsapp.net",
    "static.whatsapp.net", "secret.example.net", "plugin-example.test",
    # Facebook / Instagram fixtures: their pages' own CDN hosts.
    "facebook.com", "static.xx.fbcdn.net", "scontent.fhlz2-1.fna.fbcdn.net",
    "scontent-waw1-1.xx.fbcdn.net", "static.cdninstagram.com", "scontent-mad1-1.cdninstagram.com",
    "scontent-mad2-1.cdninstagram.com", "instagram.fpit1-1.fna.fbcdn.net",
    "fb.watch", "video.xx.fbcdn.net", "scontent.faqp2-1.fna.fbcdn.net", "scontent.faqp2-2.fna.fbcdn.net",
    "scontent.faqp2-3.fna.fbcdn.net", "scontent-waw2-2.xx.fbcdn.net", "scontent-sea5-1.xx.fbcdn.net",
    # Instagram API answers (tests/fixtures/instagram/instagram-user-feed__*.json): their CDN hosts.
    "scontent-cdt1-1.cdninstagram.com", "scontent-cdg2-1.cdninstagram.com",
    "scontent-arn2-1.cdninstagram.com", "scontent-arn2-2.cdninstagram.com",
]
