#include "tap.h"
void suite_store(void);
void suite_store(void)
{
}
