// loom-oncall: the only code the tests do not share.
#include "cli/cli.h"

int main(int argc, char** argv) { return loom::RunCli(argc, argv); }
