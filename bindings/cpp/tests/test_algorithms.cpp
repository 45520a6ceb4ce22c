// Asymmetric keys through auth_core.hpp: KeyRing::add_pem with and without an algorithm, an
// RSA key pinned to PS256 (its RS256 twin refuses the token), an ES384 key, and the pins an
// EC key refuses. The keys are test keys made once with `openssl genpkey` (RSA 2048, P-384).
#include "auth_core.hpp"

#include <cstdio>
#include <string>

void test_algorithms(int &passed, int &failed);

namespace {

const char kRsaPrivate[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC8SDSnN1+fb1jv\n"
    "dHy5EWc5H8UKE+82khMb0YR0Xp4GslnIyH9h+cc0hNNPTPzFW8Odfw5Y/Ehue+Fv\n"
    "L+k3EK3sx6lBKwV0G0eubo+FYUKd+2dDMmfLYfBybDPaRy8arWDqpNx/V/IMmhkL\n"
    "Vfu2WdzvaMbE6IMZKoopbuemQDK6lD0POy6nYqTB5IyBkbvVwH+HXZLBrJEBronj\n"
    "VeRnWcq3Nc/UMHqnLpqVmMwd/ojXVnAvhB+7iyjoq8JlrAQkZqgs3odC+39LW8Hc\n"
    "z4hxeNlNQBijYjCOO9JIRCQVLt7+IVxejfgSwxGFc+7bBQI+q3oGvCsXfdAA7Jv5\n"
    "Xj7E4SRTAgMBAAECggEAB2vUgMzKx5bUy2ds18HrBCePlX9F/AF+Sv09+nTqR1BL\n"
    "VVcrHNpYCDwTX3pPh5s/gXCLHmXJ7b+TRKsqRuyGNnbY4dkyF1VQmicAdYeTtR9o\n"
    "1A9jY52szmMbw3GagTOD8Ou7nIdZDTcbtUSCgzmqiYM4kSAAXthm5rguMvGFLlvC\n"
    "XtmjNXnrJDafQMBsxXy3eITsZHoSysnCPVYQAmGhEH8/wrwQO7+OcJWTITQVWDUW\n"
    "z9gJix9o5MmhgNZ32tJ+dXcGvR3htxr5JpRocTHajuzK1ijRXb3zTpndyOggP7ux\n"
    "YoGNjqeQvGZ8l21c234Giiln0yUn/04i+yCB+fZZ6QKBgQD0Egy0L1foj9F7wWF3\n"
    "QRiapBiRVQm8OlGbPayeJnmObzSnNTFkZ6HCNMCuuYohLup9UMHC0VVLx+za0loM\n"
    "RXzAeuDDFB4gIF1uDgoD4kM5OVj6rSQJg8odJc2k5Kd/YHytw4aBLqlWTOnrRTns\n"
    "uKH4NdkuCk1FwYXSFgFwdTyBuwKBgQDFfBlQY2p1BsX3bQX7ST1QE9cxBTE3PCar\n"
    "pNrf1fq8A0MNojOhmyA1ow9o4aaDaTeJqYoM7DrqmlfGgtr5zrmuFl4j9/dWP/wS\n"
    "ehk9xebQLmUI5AaJXJoz7pklC3ClnPSQZHZndbyq9G7kwY1IFKAKqKw4A0w1b4ku\n"
    "nezkQ/MSSQKBgEqETD6jCbrmVfXrx78qL8HfAeU1SmCeiZXVEaPDaW90QmYelnLq\n"
    "NPffNUjjOuoAsfUKt+2sDdeyNX1lpbqDaKA3o/HLbZsvZncYcDRZW17YRHNcc1k4\n"
    "VHfrt8p1STJZmhdPT/yW63p+xxherV25zTHD9wfYe1klyZ6nu07DbHLLAoGATrq1\n"
    "oM2xcCweGhDVtKMzFUyDmqBWSY3qYL1dIKU+y1uFjNbgPIoKYje6efaTmooEwRXc\n"
    "2mAG8OZNHe+m+rYGYje6mh5N9Y2WoYsZqv3NkasdTlkRngtT0mZJmXIhG3UiLrpO\n"
    "VdqjN4gw+XOMLnNChl1OIxp1dEwd5X7CJRJNwjkCgYAs0mhr1uNO1RrzEAiiBE9k\n"
    "/1y7n8CcLB2ZpteU7QLgS3h1nTueXcCXatF59LjfGpWj/NYtLrxVVRdfTpJk5Nwc\n"
    "3l3Jq0oQLUZSa77DfhzcFYZzvLD3qgMJiShgpU+NSqhFZyJH8v8KjUj6lFX0bGCt\n"
    "ID1W/JN0S73vNyADFlGLMw==\n"
    "-----END PRIVATE KEY-----\n";
const char kRsaPublic[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvEg0pzdfn29Y73R8uRFn\n"
    "OR/FChPvNpITG9GEdF6eBrJZyMh/YfnHNITTT0z8xVvDnX8OWPxIbnvhby/pNxCt\n"
    "7MepQSsFdBtHrm6PhWFCnftnQzJny2Hwcmwz2kcvGq1g6qTcf1fyDJoZC1X7tlnc\n"
    "72jGxOiDGSqKKW7npkAyupQ9Dzsup2KkweSMgZG71cB/h12SwayRAa6J41XkZ1nK\n"
    "tzXP1DB6py6alZjMHf6I11ZwL4Qfu4so6KvCZawEJGaoLN6HQvt/S1vB3M+IcXjZ\n"
    "TUAYo2IwjjvSSEQkFS7e/iFcXo34EsMRhXPu2wUCPqt6BrwrF33QAOyb+V4+xOEk\n"
    "UwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
const char kEcPrivate[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCsTB4Kt7Sf3nEBJDB2\n"
    "ksm0MFjv53uAPpajB8xPdF+x9gHcTEzgyAVBYEi4BVwH8JChZANiAARMglrabnP+\n"
    "yAzePf9frqRYeTKtYdecLSUngSC2PKuAGzVHVP3S9Nea0SG5Q0dkFlZKsEMzMAb4\n"
    "TtDjOgBnlsxiWGWSGXfgjsKVXC/jXqU4rbeqCyUGQQuoP9JZocPpGh4=\n"
    "-----END PRIVATE KEY-----\n";
const char kEcPublic[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAETIJa2m5z/sgM3j3/X66kWHkyrWHXnC0l\n"
    "J4EgtjyrgBs1R1T90vTXmtEhuUNHZBZWSrBDMzAG+E7Q4zoAZ5bMYlhlkhl34I7C\n"
    "lVwv416lOK23qgslBkELqD/SWaHD6Roe\n"
    "-----END PUBLIC KEY-----\n";

constexpr std::uint64_t kNow = 1700000000;

// The error name a call throws, or "" when it does not.
template <typename F> std::string thrown(F f) {
    try {
        f();
    } catch (const auth::Error &e) {
        return e.name();
    }
    return "";
}

} // namespace

void test_algorithms(int &passed, int &failed) {
    auto check = [&](bool ok, const char *what, int line) {
        if (ok) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAIL test_algorithms.cpp line %d: %s\n", line, what);
        }
    };
#define ACHECK(cond) check((cond), #cond, __LINE__)
    auth::KeyRing signing;
    signing.add_pem("r1", kRsaPrivate, auth::Algorithm::PS256);
    auto req = auth::MintRequest::user(7, "alice", false);
    req.set_now(kNow);
    std::string token = auth::Issuer(signing).mint(req).token();

    auth::KeyRing pss;
    pss.add_pem("r1", kRsaPublic, auth::Algorithm::PS256);
    ACHECK(auth::Verifier(pss).verify(token, std::nullopt, kNow + 1).name() == "alice");
    auth::KeyRing v15;
    v15.add_pem("r1", kRsaPublic); // an RSA key without an algorithm is RS256
    ACHECK(thrown([&] { auth::Verifier(v15).verify(token, std::nullopt, kNow + 1); }) == "algorithm_not_allowed");

    auth::KeyRing ec;
    ec.add_pem("e1", kEcPrivate);
    std::string es = auth::Issuer(ec).mint(req).token();
    auth::KeyRing ec_public;
    ec_public.add_pem("e1", kEcPublic, auth::Algorithm::ES384);
    ACHECK(auth::Verifier(ec_public).verify(es, std::nullopt, kNow + 1).id() == 7);
    auth::KeyRing wrong;
    ACHECK(thrown([&] { wrong.add_pem("e2", kEcPublic, auth::Algorithm::ES256); }) == "invalid_key");
    ACHECK(thrown([&] { wrong.add_pem("e3", kEcPublic, auth::Algorithm::RS256); }) == "invalid_key");
    ACHECK(thrown([&] { wrong.add_pem("r2", kRsaPublic, auth::Algorithm::ES384); }) == "invalid_key");
    ACHECK(wrong.size() == 0);
#undef ACHECK
}
