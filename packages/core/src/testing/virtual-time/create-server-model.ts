import type { ServerProfile } from '../server-profiles';
import { ApiServerModel } from './api-server-model';
import { IterationServerModel } from './iteration-server-model';
import type { ServerModel, ServerModelOptions } from './server-model';

/**
 * A server model for a profile: {@link ApiServerModel} for `api`, {@link IterationServerModel} for
 * `continuous-batching` and `slot-server`. On a {@link VirtualClock} it runs in virtual time; on
 * `systemClock` in real time (behind a real HTTP server, see `simulatedServerOptions`).
 *
 * @example
 * const clock = new VirtualClock();
 * const server = createServerModel(continuousBatchingProfile, { clock, seed: 1 });
 */
export function createServerModel(profile: ServerProfile, options: ServerModelOptions): ServerModel {
  switch (profile.kind) {
    case 'api':
      return new ApiServerModel(profile, options);
    case 'continuous-batching':
    case 'slot-server':
      return new IterationServerModel(profile, options);
    default:
      return profile satisfies never;
  }
}
