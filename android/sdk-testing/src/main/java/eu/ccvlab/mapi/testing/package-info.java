/**
 * The CCV terminal simulator for app tests (the testing artifact {@code mapi-sdk-testing}): start a simulated
 * OPI terminal in the test process with {@link eu.ccvlab.mapi.testing.TerminalSimulator}, choose a
 * {@link eu.ccvlab.mapi.testing.Scenario}, run the app's payment code against it and read the frames it
 * received. Use this artifact instead of the SDK in test builds only: its native library contains the simulator.
 */
package eu.ccvlab.mapi.testing;
