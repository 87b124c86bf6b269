#include "tap.h"
void suite_core(void);
void suite_core(void)
{
}
