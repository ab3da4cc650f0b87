// Base64 (RFC 4648 §4) and base64url (§5) codecs. Decoders are strict: they reject characters
// outside the alphabet, impossible lengths and non-zero padding bits, because a JWT that decodes
// two ways is a JWT that verifies one way and is read another.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::core {

// base64url without padding, as JWS uses it.
std::string base64url_encode(std::string_view bytes);
// Accepts unpadded input only (JWS compact form). nullopt on any invalid input.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 with padding (x5c certificates, HTTP Basic, Lambda binary bodies).
std::string base64_encode(std::string_view bytes);
// Requires correct padding. nullopt on any invalid input.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gatehouse::core
