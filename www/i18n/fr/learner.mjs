// The learner view's strings (`learner.<key>`), locale fr.
export default {
  title: 'Ma progression',
};
