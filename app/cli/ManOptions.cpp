// ddpm-man-options: prints the VERBS section of the ddpm man page (groff -man) from
// the option table, the same entries 'ddpm VERB --help' prints. packaging/ puts it
// in place of the @DDPM_VERBS@ line of ddpm.1.in at build time. No torch here.
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "cli/ArgParser.h"
#include "cli/OptionTable.h"

using namespace ddpm::cli;

namespace {

// One roff input line: backslashes and hyphens escaped (options stay copyable from
// the page), no control character at its start, no leading blanks.
std::string roffLine(const std::string& line) {
    std::string out;
    for (char c : line) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    const auto first = out.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    out = out.substr(first);
    if (out[0] == '.' || out[0] == '\'') out = "\\&" + out;
    return out;
}

// Text as roff input lines; blank lines are left out (they would break the paragraph).
std::string roffText(const std::string& text) {
    std::string out, line;
    std::istringstream in(text);
    while (std::getline(in, line))
        if (const std::string l = roffLine(line); !l.empty()) out += l + "\n";
    return out;
}

// A macro argument, in double quotes.
std::string roffArgument(const std::string& text) {
    std::string quoted;
    for (char c : roffLine(text)) quoted += c == '"' ? std::string("\\(dq") : std::string(1, c);
    return "\"" + quoted + "\"";
}

// The sentence(s) under an option: its --help line with the default, then the man page's details.
std::string body(const ArgParser::Spec& s) {
    std::string text = s.help;
    if (!s.defaultValue.empty()) text += " (default " + s.defaultValue + ")";
    if (!text.empty() && text.back() != '.') text += ".";
    if (!s.details.empty()) text += "\n" + s.details;
    return roffText(text);
}

void printVerb(std::ostream& out, const VerbSpec& verb) {
    const ArgParser parser(verb.name);
    // One subsection heading per form of the usage line.
    const std::string usage = parser.usage(), separator = "  |  ";
    for (size_t start = 0;;) {
        const size_t end = usage.find(separator, start);
        out << ".SS " << roffArgument(usage.substr(start, end == std::string::npos ? end : end - start)) << "\n";
        if (end == std::string::npos) break;
        start = end + separator.size();
    }
    out << roffText(parser.description());
    if (*verb.details) out << roffText(verb.details);
    for (const auto& s : parser.specs()) {
        if (s.name == "help") continue;   // in SYNOPSIS: every verb has it
        out << ".TP\n";
        if (s.isPositional) {
            out << ".I " << roffArgument(s.name) << "\n";
        } else {
            const std::string left = (s.shortName.empty() ? "" : "-" + s.shortName + ", ") + "--" + s.name;
            if (s.isFlag()) out << ".B " << roffArgument(left) << "\n";
            else out << ".BI " << roffArgument(left + " ") << " " << roffArgument(s.valueName) << "\n";
        }
        out << body(s);
    }
}

}  // namespace

int main() {
    try {
        std::ostringstream out;
        for (const auto& verb : verbTable()) printVerb(out, verb);
        std::cout << out.str();
        return std::cout.flush() ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "ddpm-man-options: " << e.what() << "\n";
        return 1;
    }
}
