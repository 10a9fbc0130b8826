// Isupport: what a server says of its channel modes in RPL_ISUPPORT (005): the membership
// prefixes (PREFIX=(qaohv)~&@%+), which modes take a parameter (CHANMODES=A,B,C,D) and how
// names fold (CASEMAPPING), so that MODE lines, NAMES listings and names are read the way
// this server means them.
#pragma once

#include <string>
#include <string_view>

#include "irc_casemap.hpp"

namespace irc {

struct IrcLine;

class Isupport {
 public:
  // Reads the tokens of one 005 line ("nick TOKEN[=value]… :are supported"); unknown and
  // malformed tokens are ignored (the defaults stay).
  void parse(const IrcLine& line);

  // A membership mode (o, v…) for its NAMES prefix character (@, +…), or 0.
  char mode_of_prefix(char prefix) const;
  bool is_membership_mode(char mode) const { return prefix_modes_.find(mode) != npos; }
  // Whether `mode` reads a parameter from a MODE line when set (+) or unset (-).
  bool takes_param(char mode, bool set) const;
  // Membership modes, highest first (as PREFIX lists them).
  const std::string& membership_modes() const { return prefix_modes_; }
  // CASEMAPPING, once the server said it (nullopt before, or for a value not known here).
  std::optional<CaseMapping> case_mapping() const { return case_mapping_; }

 private:
  static constexpr auto npos = std::string::npos;
  // Defaults: what most servers have (RFC 2812 plus the usual owner/admin/half-op).
  std::string prefix_modes_ = "qaohv";
  std::string prefix_chars_ = "~&@%+";
  std::string list_modes_ = "beI";     // CHANMODES A: always a parameter
  std::string param_modes_ = "k";      // B: always a parameter
  std::string set_param_modes_ = "l";  // C: a parameter when set
  std::optional<CaseMapping> case_mapping_;
};

}  // namespace irc
