/*
 * clock.c - the time every expiry is measured against (wall-clock
 * seconds: records carry absolute expiry times, shared between servers).
 */
#include "config.h"

#include <time.h>

#include "ghauth-int.h"

time_t
ghauthp_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return time(NULL);
	return ts.tv_sec;
}
