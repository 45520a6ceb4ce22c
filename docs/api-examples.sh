# The API examples, as a shell session against the reference service:
#
#   export AUTHCTL_SECRET="$(authctl keygen)"
#   authctl serve --demo-accounts            # listens on 127.0.0.1:8080
#
# then paste the commands below. Replace `your.token` with the "token" of the user login's
# answer, `your.reseller.token` with the reseller login's, and `your.api.token` with the token
# of the `create-token-with-scopes` answer. Each command is preceded by a
# line `## <name> <status> <what the body holds>` that scripts/test-server.sh checks: the
# test runs these commands verbatim, with only the host and the tokens replaced.

## user-login 200 json:user,token
curl -X POST http://127.0.0.1:8080/a/session.json -d '{"login": "user@example.com", "password": "your_password"}'

## reseller-login 200 json:token,reseller,user_groups,user_balance,version
curl -X POST http://127.0.0.1:8080/a/v1/resellers/login.json -d '{"name": "reseller_name", "pass": "your_password"}'

## use-the-token 200 json:type,id,name,iat,exp,jti
curl http://127.0.0.1:8080/a/some-endpoint -H "Authorization: Bearer your.token"

## create-token-json 200 json:status,message,token,token_id,allowed_ips
curl -X POST http://127.0.0.1:8080/token -H "Authorization: Bearer your.token" -d '{"token": {"name": "Best token ever", "ttl": 2678400, "allowed_ips": ["2a01:cb1d:2b9:ef02:2521:4ed1:109a:8fae", "192.168.2.0/24", "192.168.2.2"]}}'

## create-token-xml 200 xml:<response><status>1</status><message>OK</message><token>
curl -X POST http://127.0.0.1:8080/token -H "Authorization: Bearer your.token" -H "Accept: application/xml" -d '<token><name>Best token ever</name><ttl>2678400</ttl><allowed_ips><ip>192.168.2.0/24</ip></allowed_ips></token>'

## create-token-xml-body-json-answer 200 json:status,message,token,token_id
curl -X POST http://127.0.0.1:8080/token -H "Authorization: Bearer your.token" -d '<token><name>Best token ever</name><ttl>2678400</ttl></token>'

## create-sub-account-token 200 json:status,message,token,token_id
curl -X POST http://127.0.0.1:8080/token/account/12542 -H "Authorization: Bearer your.token" -d '{"token": {"name": "Best token ever", "ttl": 2678400}}'

## list-tokens 200 json:status,message,tokens
curl http://127.0.0.1:8080/token -H "Authorization: Bearer your.token"

## list-sub-account-tokens 200 json:status,message,tokens
curl http://127.0.0.1:8080/token/account/12542 -H "Authorization: Bearer your.reseller.token"

## nginx-auth-request 204 empty
curl http://127.0.0.1:8080/a/auth -H "Authorization: Bearer your.token"

## create-token-with-scopes 200 json:status,message,token,token_id,allowed_ips,scopes
curl -X POST http://127.0.0.1:8080/token -H "Authorization: Bearer your.token" -d '{"token": {"name": "CI: send SMS", "ttl": 3600, "scopes": ["sms:send"]}}'

## create-token-with-scopes-xml 200 xml:<response><status>1</status><message>OK</message><token>
curl -X POST http://127.0.0.1:8080/token -H "Authorization: Bearer your.token" -H "Accept: application/xml" -d '<token><name>CI: read SMS</name><ttl>3600</ttl><scopes><scope>sms:read</scope></scopes></token>'

## nginx-auth-request-scope 204 empty
curl "http://127.0.0.1:8080/a/auth?scope=sms:send" -H "Authorization: Bearer your.api.token"

## nginx-auth-request-scope-missing 403 empty
curl "http://127.0.0.1:8080/a/auth?scope=account" -H "Authorization: Bearer your.api.token"

## introspect 200 json:active,scope,sub,exp,iat,jti,token_type
curl -X POST http://127.0.0.1:8080/oauth/introspect -H "Authorization: Bearer your.token" -d "token=your.api.token"

## revoke 200 empty
curl -X POST http://127.0.0.1:8080/oauth/revoke -H "Authorization: Bearer your.token" -d "token=your.api.token"

## introspect-revoked 200 json:active
curl -X POST http://127.0.0.1:8080/oauth/introspect -H "Authorization: Bearer your.token" -d "token=your.api.token"

## reseller-logout 200 json:message
curl http://127.0.0.1:8080/a/v1/resellers/user/logout.json -H "Authorization: Bearer your.reseller.token"

## user-logout 200 json:message
curl -X DELETE http://127.0.0.1:8080/a/session.json -H "Authorization: Bearer your.token"
