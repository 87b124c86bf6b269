#include "tap.h"
void suite_domain(void);
void suite_domain(void)
{
}
