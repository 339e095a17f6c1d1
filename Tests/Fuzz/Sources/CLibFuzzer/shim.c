// CLibFuzzer only declares libFuzzer's driver; SwiftPM needs a source file to build the module.
#include "CLibFuzzer.h"
