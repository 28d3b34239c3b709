// The learner view's strings (`learner.<key>`), locale en.
export default {
  title: 'My progress',
};
