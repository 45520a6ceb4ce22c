-- wrk: POST /a/session.json with the demo user's credentials (the login example).
wrk.method = "POST"
wrk.body = '{"login": "user@example.com", "password": "your_password"}'
