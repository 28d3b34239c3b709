// Les textes des pages publiques, en français (`public.<clé>`) : accueil et vérification.
export default {
  welcome_title: 'Cairn',
  welcome_text: 'Maîtrise des compétences et microcertifications. Ouvrez Cairn depuis votre cours pour voir votre progression ou votre groupe.',
  welcome_sample: 'Voir la progression d’un apprenant exemple',
  welcome_verify: 'Vérifier un titre',
  verify_title: 'Vérifier un titre',
};
