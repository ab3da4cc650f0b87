// DecisionCache is a class template; this file anchors the library and checks the header alone.
#include "auth/cache/decision_cache.h"
