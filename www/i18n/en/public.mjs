// The public pages' strings in English (`public.<key>`): welcome and verify.
export default {
  welcome_title: 'Cairn',
  welcome_text: 'Competency mastery and micro-credentials. Open Cairn from your course to see your progress or your roster.',
  welcome_sample: 'See a sample learner’s progress',
  welcome_verify: 'Verify a credential',
  verify_title: 'Verify a credential',
};
