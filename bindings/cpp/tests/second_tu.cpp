// A second translation unit of the C++ suite including auth_core.hpp: linking it with
// test_auth.cpp proves the header defines nothing that is not inline.
#include "auth_core.hpp"

#include <string>
#include <string_view>

std::string second_tu_header_json(std::string_view token);

/// The unverified header of `token` as JSON (compared with the first unit's answer).
std::string second_tu_header_json(std::string_view token) { return auth::inspect_unverified(token).header_json; }
